#include "serving/batch_request.h"

#include <gtest/gtest.h>

namespace segue::serving {
namespace {

TEST(BatchRequest, ContentTypes) {
  EXPECT_EQ(BatchFormatOf("application/json"), BodyFormat::kJsonArray);
  EXPECT_EQ(BatchFormatOf("Application/JSON; charset=utf-8"), BodyFormat::kJsonArray);
  EXPECT_EQ(BatchFormatOf("application/x-ndjson"), BodyFormat::kNdjson);
  EXPECT_EQ(BatchFormatOf(" application/ndjson ;charset=utf-8"), BodyFormat::kNdjson);
  EXPECT_FALSE(BatchFormatOf(""));
  EXPECT_FALSE(BatchFormatOf("text/plain"));
  EXPECT_FALSE(BatchFormatOf("application/jsonx"));
}

TEST(BatchRequest, UnsupportedMediaTypeNamesTheType) {
  HttpResponse r = UnsupportedMediaType("text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("Content-Type 'text/plain' is not supported"), std::string::npos) << r.body;
  EXPECT_NE(UnsupportedMediaType("").body.find("no Content-Type"), std::string::npos);
}

TEST(BatchRequest, ParseErrorStatuses) {
  EXPECT_EQ(BatchParseError(Status::InvalidArgument("x")).status, 400);
  EXPECT_EQ(BatchParseError(Status::ResourceExhausted("x")).status, 413);
  EXPECT_EQ(BatchParseError(Status::Internal("x")).status, 500);
}

TEST(BatchRequest, RejectionsJsonEscapes) {
  std::string out;
  AppendRejectionsJson({{0, "ts", "must be \"RFC 3339\""}, {3, "", "not an object"}}, &out);
  EXPECT_EQ(out, R"("rejected":[{"index":0,"field":"ts","error":"must be \"RFC 3339\""},)"
                 R"({"index":3,"field":"","error":"not an object"}])");
}

}  // namespace
}  // namespace segue::serving
