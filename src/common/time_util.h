// Timestamps: Segue stores every time as int64 milliseconds since the Unix epoch, UTC.
// Parsing accepts RFC 3339 (with 'Z' or a numeric offset, optional fractional seconds) and the
// plain forms the importers meet ("YYYY-MM-DD HH:MM[:SS]", taken as UTC). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segue {

// Returns epoch milliseconds, or nullopt if `text` is not a valid timestamp.
std::optional<int64_t> ParseRfc3339Ms(std::string_view text);

// "2024-01-02T03:04:05.678Z" (milliseconds always shown).
std::string FormatRfc3339Ms(int64_t epoch_ms);

// Current wall-clock time in epoch milliseconds.
int64_t NowMs();

// Days since 1970-01-01 for a proleptic Gregorian date (no range checks beyond the arithmetic).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace segue
