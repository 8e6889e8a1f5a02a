// Files that survive a crash whole: a small file written so that a crash leaves either the old or the
// complete new content (WriteFileDurably: the bytes go to "<path>.tmp", which is fsync'd and renamed over
// `path`), and the folder fsync that makes a rename itself survive a power loss (SyncFolderOf, also used
// by writers that stream into their own temporary file, e.g. recommend/index_file.h). Used for the
// experiments file and statistics snapshot, and the ANN index files. Errors name the path; a full disk
// is kNoSpace.
// Thread-safety: concurrent writes of the same path are not supported (callers serialise them).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace segue {

Status WriteFileDurably(const std::string& path, std::string_view bytes);

// fsyncs the folder holding `path` ("." when it has none).
Status SyncFolderOf(const std::string& path);

}  // namespace segue
