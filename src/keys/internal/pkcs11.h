// File: keys/internal/pkcs11.h
//
// The PKCS#11 plumbing under Pkcs11KeyProvider: loading a module (dlopen) and initialising it
// once per process, finding a token by label, logging in, a pool of sessions, and small
// helpers for templates, searches and attributes. Only keys/*.cc include this header: it pulls
// in p11-kit's pkcs11.h (in its lower-case "GNU" naming, so none of the standard names'
// macros, such as `value`, leak into our code).
//
// PKCS#11 is process-global by design: C_Initialize may run once per module until
// C_Finalize. Pkcs11Module therefore counts its users per module path and finalises when the
// last one goes; the library stays mapped (modules such as SoftHSM do not survive dlclose).
//
// Thread safety: modules are initialised with CKF_OS_LOCKING_OK, so distinct sessions may be
// used from distinct threads; one session must be used by one thread at a time, which the
// pool ensures by leasing each session to one caller.
#pragma once

#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::keys::internal {

// RvName() names a PKCS#11 return value ("CKR_PIN_INCORRECT"), or gives it in hex.
std::string RvName(ck_rv_t rv);

// Pkcs11Error() is kUnavailable "pkcs11-error", naming the call and its return value.
Error Pkcs11Error(std::string_view call, ck_rv_t rv);

class Pkcs11Module {
 public:
  // Load() dlopens `path` and initialises it (or shares the process's initialised copy).
  // kUnavailable "pkcs11-module-unavailable" when the file cannot be loaded, has no
  // C_GetFunctionList, or C_Initialize fails.
  static Result<std::shared_ptr<Pkcs11Module>> Load(const std::string& path);

  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;
  ~Pkcs11Module();  // C_Finalize when it is the last user of its module

  struct ck_function_list* f() const { return functions_; }

  // FindToken() is the slot holding the initialised token labelled `label`.
  // kNotFound "pkcs11-token-not-found".
  Result<ck_slot_id_t> FindToken(std::string_view label) const;

 private:
  Pkcs11Module(std::string path, struct ck_function_list* functions)
      : path_(std::move(path)), functions_(functions) {}

  std::string path_;
  struct ck_function_list* functions_;
};

// SessionPool hands out read-write sessions on one token, opening more as needed and keeping
// them for reuse. The first session stays open for the pool's life and carries the login
// (PKCS#11 logs a token out when its last session closes).
class SessionPool {
 public:
  // Open() opens the first session and logs in as the user with `pin`. kUnauthenticated
  // "pkcs11-login-failed" for a wrong or locked PIN; kUnavailable "pkcs11-error".
  static Result<std::unique_ptr<SessionPool>> Open(std::shared_ptr<Pkcs11Module> module,
                                                   ck_slot_id_t slot, std::string_view pin);

  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;
  ~SessionPool();  // closes every session it holds

  // Lease gives one caller exclusive use of a session; it returns to the pool on
  // destruction, or is closed if Discard() was called (an operation may be left half-done).
  class Lease {
   public:
    Lease(SessionPool* pool, ck_session_handle_t session) : pool_(pool), session_(session) {}
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    ck_session_handle_t get() const { return session_; }
    void Discard() { discard_ = true; }

   private:
    SessionPool* pool_;
    ck_session_handle_t session_;
    bool discard_ = false;
  };

  Result<Lease> Acquire();
  struct ck_function_list* f() const { return module_->f(); }

 private:
  SessionPool(std::shared_ptr<Pkcs11Module> module, ck_slot_id_t slot,
              ck_session_handle_t login_session)
      : module_(std::move(module)), slot_(slot), login_session_(login_session) {}
  void Return(ck_session_handle_t session, bool discard);

  std::shared_ptr<Pkcs11Module> module_;
  ck_slot_id_t slot_;
  ck_session_handle_t login_session_;
  std::mutex mu_;
  std::vector<ck_session_handle_t> idle_;  // guarded by mu_
};

// Attribute helpers: a template owns the bytes its attributes point to.
class Template {
 public:
  Template& Ulong(ck_attribute_type_t type, unsigned long number);
  Template& Bool(ck_attribute_type_t type, bool flag);
  Template& Bytes(ck_attribute_type_t type, std::string_view bytes);
  struct ck_attribute* data();
  unsigned long size() const { return static_cast<unsigned long>(types_.size()); }

 private:
  std::vector<ck_attribute_type_t> types_;
  std::vector<std::string> values_;  // the attribute bytes, kept stable until data()
  std::vector<struct ck_attribute> built_;
};

// FindObjects() lists every object matching `match`.
Result<std::vector<ck_object_handle_t>> FindObjects(struct ck_function_list* f,
                                                    ck_session_handle_t session, Template& match);

// GetBytes() reads one attribute of an object as bytes.
Result<std::string> GetBytes(struct ck_function_list* f, ck_session_handle_t session,
                             ck_object_handle_t object, ck_attribute_type_t type);

}  // namespace clearway::keys::internal
