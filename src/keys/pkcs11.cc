#include "keys/internal/pkcs11.h"

#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <utility>

namespace clearway::keys::internal {

namespace {

// The process's modules: PKCS#11 allows one C_Initialize per module until C_Finalize, so
// providers that share a module share its initialisation. Guarded by RegistryMutex().
struct LoadedModule {
  void* library = nullptr;
  struct ck_function_list* functions = nullptr;
  int users = 0;
};

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, LoadedModule>& Registry() {
  static auto* modules = new std::map<std::string, LoadedModule>();  // never destroyed
  return *modules;
}

Error ModuleUnavailable(const std::string& path, const std::string& why) {
  return Error::Unavailable("pkcs11-module-unavailable",
                            "cannot use the PKCS#11 module " + path + ": " + why);
}

std::string TrimLabel(const unsigned char* label, size_t size) {
  std::string text(reinterpret_cast<const char*>(label), size);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace

std::string RvName(ck_rv_t rv) {
  switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
    case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_ENCRYPTED_DATA_INVALID: return "CKR_ENCRYPTED_DATA_INVALID";
    case CKR_ENCRYPTED_DATA_LEN_RANGE: return "CKR_ENCRYPTED_DATA_LEN_RANGE";
    case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
    case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_MECHANISM_PARAM_INVALID: return "CKR_MECHANISM_PARAM_INVALID";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_OPERATION_ACTIVE: return "CKR_OPERATION_ACTIVE";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
    case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    default: {
      char text[32];
      std::snprintf(text, sizeof(text), "CKR 0x%lx", rv);
      return text;
    }
  }
}

Error Pkcs11Error(std::string_view call, ck_rv_t rv) {
  return Error::Unavailable("pkcs11-error", std::string(call) + " failed: " + RvName(rv));
}

// ---- Pkcs11Module ------------------------------------------------------------------------

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Load(const std::string& path) {
  std::scoped_lock lock(RegistryMutex());
  LoadedModule& loaded = Registry()[path];
  if (loaded.library == nullptr) {
    // RTLD_NODELETE: a module's static state (SoftHSM's, OpenSSL's inside it) must outlive
    // our handle; the mapping stays for the life of the process.
    void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (library == nullptr) {
      const char* why = ::dlerror();
      Registry().erase(path);
      return ModuleUnavailable(path, why != nullptr ? why : "dlopen failed");
    }
    using GetFunctionList = ck_rv_t (*)(struct ck_function_list**);
    auto get_list = reinterpret_cast<GetFunctionList>(::dlsym(library, "C_GetFunctionList"));
    struct ck_function_list* functions = nullptr;
    if (get_list == nullptr || get_list(&functions) != CKR_OK || functions == nullptr) {
      ::dlclose(library);
      Registry().erase(path);
      return ModuleUnavailable(path, "it has no usable C_GetFunctionList");
    }
    loaded.library = library;
    loaded.functions = functions;
  }
  if (loaded.users == 0) {
    struct ck_c_initialize_args args {};
    args.flags = CKF_OS_LOCKING_OK;  // the module may use threads and its own locks
    ck_rv_t rv = loaded.functions->C_Initialize(&args);
    if (rv != CKR_OK) return ModuleUnavailable(path, "C_Initialize: " + RvName(rv));
  }
  ++loaded.users;
  return std::shared_ptr<Pkcs11Module>(new Pkcs11Module(path, loaded.functions));
}

Pkcs11Module::~Pkcs11Module() {
  std::scoped_lock lock(RegistryMutex());
  LoadedModule& loaded = Registry()[path_];
  if (--loaded.users == 0) loaded.functions->C_Finalize(nullptr);
}

Result<ck_slot_id_t> Pkcs11Module::FindToken(std::string_view label) const {
  unsigned long count = 0;
  ck_rv_t rv = functions_->C_GetSlotList(1, nullptr, &count);
  if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
  std::vector<ck_slot_id_t> slots(count);
  rv = functions_->C_GetSlotList(1, slots.data(), &count);
  if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
  slots.resize(count);
  for (ck_slot_id_t slot : slots) {
    struct ck_token_info info {};
    if (functions_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
    if (TrimLabel(info.label, sizeof(info.label)) == label) return slot;
  }
  return Error::NotFound("pkcs11-token-not-found",
                         "no initialised token labelled \"" + std::string(label) + "\"");
}

// ---- SessionPool -------------------------------------------------------------------------

Result<std::unique_ptr<SessionPool>> SessionPool::Open(std::shared_ptr<Pkcs11Module> module,
                                                       ck_slot_id_t slot, std::string_view pin) {
  ck_session_handle_t session = 0;
  ck_rv_t rv = module->f()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                          nullptr, &session);
  if (rv != CKR_OK) return Pkcs11Error("C_OpenSession", rv);
  rv = module->f()->C_Login(session, CKU_USER,
                            reinterpret_cast<unsigned char*>(const_cast<char*>(pin.data())),
                            pin.size());
  // Login is per token and application: another provider of this process may have logged in.
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    module->f()->C_CloseSession(session);
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_INVALID ||
        rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_EXPIRED) {
      return Error::Unauthenticated("pkcs11-login-failed",
                                    "the token refused the PIN (" + RvName(rv) + ")");
    }
    return Pkcs11Error("C_Login", rv);
  }
  return std::unique_ptr<SessionPool>(new SessionPool(std::move(module), slot, session));
}

SessionPool::~SessionPool() {
  for (ck_session_handle_t session : idle_) f()->C_CloseSession(session);
  f()->C_CloseSession(login_session_);
}

Result<SessionPool::Lease> SessionPool::Acquire() {
  {
    std::scoped_lock lock(mu_);
    if (!idle_.empty()) {
      ck_session_handle_t session = idle_.back();
      idle_.pop_back();
      return Lease(this, session);
    }
  }
  ck_session_handle_t session = 0;
  ck_rv_t rv = f()->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                  &session);
  if (rv != CKR_OK) return Pkcs11Error("C_OpenSession", rv);
  return Lease(this, session);
}

void SessionPool::Return(ck_session_handle_t session, bool discard) {
  if (discard) {
    f()->C_CloseSession(session);
    return;
  }
  std::scoped_lock lock(mu_);
  idle_.push_back(session);
}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), session_(other.session_),
      discard_(other.discard_) {}

SessionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Return(session_, discard_);
}

// ---- Template and object helpers ---------------------------------------------------------

Template& Template::Ulong(ck_attribute_type_t type, unsigned long number) {
  types_.push_back(type);
  values_.emplace_back(reinterpret_cast<const char*>(&number), sizeof(number));
  return *this;
}

Template& Template::Bool(ck_attribute_type_t type, bool flag) {
  types_.push_back(type);
  values_.emplace_back(1, flag ? '\1' : '\0');
  return *this;
}

Template& Template::Bytes(ck_attribute_type_t type, std::string_view bytes) {
  types_.push_back(type);
  values_.emplace_back(bytes);
  return *this;
}

struct ck_attribute* Template::data() {
  built_.clear();
  for (size_t attr_idx = 0; attr_idx < types_.size(); ++attr_idx) {
    struct ck_attribute attribute {};
    attribute.type = types_[attr_idx];
    attribute.value = values_[attr_idx].data();
    attribute.value_len = values_[attr_idx].size();
    built_.push_back(attribute);
  }
  return built_.data();
}

Result<std::vector<ck_object_handle_t>> FindObjects(struct ck_function_list* f,
                                                    ck_session_handle_t session, Template& match) {
  ck_rv_t rv = f->C_FindObjectsInit(session, match.data(), match.size());
  if (rv != CKR_OK) return Pkcs11Error("C_FindObjectsInit", rv);
  std::vector<ck_object_handle_t> found;
  while (true) {
    ck_object_handle_t batch[64];
    unsigned long got = 0;
    rv = f->C_FindObjects(session, batch, 64, &got);
    if (rv != CKR_OK) {
      f->C_FindObjectsFinal(session);
      return Pkcs11Error("C_FindObjects", rv);
    }
    if (got == 0) break;
    found.insert(found.end(), batch, batch + got);
  }
  rv = f->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return Pkcs11Error("C_FindObjectsFinal", rv);
  return found;
}

Result<std::string> GetBytes(struct ck_function_list* f, ck_session_handle_t session,
                             ck_object_handle_t object, ck_attribute_type_t type) {
  struct ck_attribute attribute {};
  attribute.type = type;
  ck_rv_t rv = f->C_GetAttributeValue(session, object, &attribute, 1);
  if (rv != CKR_OK) return Pkcs11Error("C_GetAttributeValue", rv);
  std::string bytes(attribute.value_len, '\0');
  attribute.value = bytes.data();
  rv = f->C_GetAttributeValue(session, object, &attribute, 1);
  if (rv != CKR_OK) return Pkcs11Error("C_GetAttributeValue", rv);
  bytes.resize(attribute.value_len);
  return bytes;
}

}  // namespace clearway::keys::internal
