// File: ledger/ledger.h
//
// The ledger module: a Merkle transparency log in the manner of Certificate Transparency
// (RFC 9162), with C2SP signed checkpoints, cosigning witnesses and Clearway's leaf format.
// Include this header, or the narrower one you need:
//
//   ledger/merkle.h      RFC 9162 hashing, proofs over a leaf list, proof verification
//   ledger/tree_store.h  TreeStore (subtree-hash storage) and InMemoryTreeStore
//   ledger/merkle_log.h  MerkleLog: append, roots and O(log n) proofs over a TreeStore
//   ledger/note.h        C2SP signed notes, verifier keys, cosignature/v1
//   ledger/checkpoint.h  C2SP tlog-checkpoint bodies, signing and opening checkpoints
//   ledger/witness.h     Witness: cosigns consistent checkpoints, refuses forks and rollbacks
//   ledger/leaf.h        LeafEntry, its canonical encoding, salted commitments
//
// Formats are specified in docs/formats/ledger.md.
#pragma once

#include "ledger/checkpoint.h"
#include "ledger/leaf.h"
#include "ledger/merkle.h"
#include "ledger/merkle_log.h"
#include "ledger/note.h"
#include "ledger/tree_store.h"
#include "ledger/witness.h"
