// Percent-decoding (RFC 3986 §2.1) and the query string of a request target ("?k=10&explain=true"),
// shared by the router (path captures) and the handlers that take query parameters. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace segue::serving {

// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view s);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The parameters after the first '?' of `target`, decoded ('+' is a space, as in HTML forms), in order.
// "a" is ("a", ""). Errors (kInvalidArgument naming the parameter): bad percent-encoding, an empty
// name, a name given twice.
Result<QueryParams> ParseQueryString(std::string_view target);

}  // namespace segue::serving
