// File: common/common.h
//
// The common module: errors and results, time and clocks, money, ISO code lists, JSON helpers
// and identifiers. Include this header, or the narrower one you need.
#pragma once

#include "common/error.h"
#include "common/ids.h"
#include "common/iso_codes.h"
#include "common/json.h"
#include "common/money.h"
#include "common/result.h"
#include "common/time.h"
