#include "common/time_util.h"

#include <gtest/gtest.h>

namespace segue {
namespace {

TEST(TimeUtil, ParsesRfc3339Variants) {
  EXPECT_EQ(ParseRfc3339Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339Ms("2024-02-29T12:34:56.789Z"), 1709210096789);
  EXPECT_EQ(ParseRfc3339Ms("2024-02-29T14:34:56.789+02:00"), 1709210096789);
  EXPECT_EQ(ParseRfc3339Ms("2024-02-29T12:34:56.7891234Z"), 1709210096789);
  EXPECT_EQ(ParseRfc3339Ms("2024-02-29 12:34"), 1709210040000);  // importer form, UTC
}

TEST(TimeUtil, RejectsInvalid) {
  for (const char* bad : {"", "2024", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                          "2024-01-01T00:00:00", "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.Z",
                          "2024-01-01T00:00:00+0200", "abcd-ef-ghTij:kl:mnZ"}) {
    EXPECT_FALSE(ParseRfc3339Ms(bad).has_value()) << bad;
  }
}

TEST(TimeUtil, FormatRoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1709210096789}, int64_t{-1}, int64_t{4102444800000}}) {
    EXPECT_EQ(ParseRfc3339Ms(FormatRfc3339Ms(ms)), ms) << FormatRfc3339Ms(ms);
  }
  EXPECT_EQ(FormatRfc3339Ms(1709210096789), "2024-02-29T12:34:56.789Z");
}

}  // namespace
}  // namespace segue
