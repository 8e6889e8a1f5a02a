// PreferenceStore: where listeners' preferences live. Get answers the defaults for a listener who never
// set any. Implementations: RocksDbPreferenceStore (rocksdb_preference_store.h); tests may fake it.
// Thread-safety: implementations are safe to call concurrently.
#pragma once

#include <string_view>

#include "common/status.h"
#include "preferences/preferences.h"

namespace segue::preferences {

class PreferenceStore {
 public:
  virtual ~PreferenceStore() = default;

  virtual Result<Preferences> Get(std::string_view user_id) const = 0;
  // Durable when it returns Ok (see the implementation for what durable means there).
  virtual Status Put(std::string_view user_id, const Preferences& preferences) = 0;
};

}  // namespace segue::preferences
