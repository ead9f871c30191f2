// File: app/identity_bootstrap.h
//
// Users written in the configuration file ([[users]], docs/configuration.md) are a bootstrap:
// at start-up each one missing from the identity directory is added, with its organisation
// (a trader for a declarant, a broker for a broker, the customs administration otherwise) and,
// for a broker, the delegations of the organisations it represents. Users already in the
// directory are left as they are: the directory, administered with `clearway user …`, is the
// truth from then on.
//
//   CW_RETURN_IF_ERROR(BootstrapUsers(directory, config.users, clock.Now()));
#pragma once

#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "identity/directory.h"
#include "identity/identity.h"

namespace clearway::app {

// BootstrapUsers() adds the missing users as above. Directory errors pass through.
Status BootstrapUsers(identity::IdentityStore& directory,
                      const std::vector<identity::UserRecord>& users, Timestamp now);

// EnsureOrganisation() adds the organisation if it is missing; kAlreadyExists is not an error.
Status EnsureOrganisation(identity::IdentityStore& directory, const identity::Organisation& org);

}  // namespace clearway::app
