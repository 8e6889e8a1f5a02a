// Writing a small file so that a crash leaves either the old or the complete new content: the bytes go
// to "<path>.tmp", which is fsync'd and renamed over `path`, and the folder is fsync'd so the rename
// itself survives a power loss. Used for the experiments file and the statistics snapshot.
// Thread-safety: concurrent writes of the same path are not supported (callers serialise them).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace segue::experiments {

Status WriteFileDurably(const std::string& path, std::string_view bytes);

}  // namespace segue::experiments
