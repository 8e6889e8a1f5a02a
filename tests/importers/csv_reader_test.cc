#include "importers/csv_reader.h"

#include <sstream>

#include <gtest/gtest.h>

namespace segue {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& text, Status* error = nullptr,
                                              std::vector<uint64_t>* lines = nullptr) {
  std::istringstream in(text);
  CsvReader reader(&in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  for (;;) {
    Result<bool> got = reader.Next(&fields);
    if (!got.ok()) {
      if (error != nullptr) *error = got.status();
      break;
    }
    if (!*got) break;
    rows.push_back(fields);
    if (lines != nullptr) lines->push_back(reader.record_line());
  }
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, PlainFieldsLfAndCrlf) {
  EXPECT_EQ(ReadAll("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(ReadAll("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ReadAll("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));  // no final newline
  EXPECT_EQ(ReadAll(""), Rows{});
}

TEST(CsvReaderTest, EmptyFields) {
  EXPECT_EQ(ReadAll(",\n,x,\n"), (Rows{{"", ""}, {"", "x", ""}}));
  EXPECT_EQ(ReadAll("\"\",a\n"), (Rows{{"", "a"}}));
}

TEST(CsvReaderTest, QuotedFieldsWithQuotesCommasAndNewlines) {
  std::vector<uint64_t> lines;
  Rows rows = ReadAll("id,name\n1,\"Taki Taki (with Selena Gomez, Ozuna)\"\n2,\"say \"\"hi\"\"\"\n"
                      "3,\"two\nlines\r\nhere\"\n4,x\n",
                      nullptr, &lines);
  EXPECT_EQ(rows, (Rows{{"id", "name"},
                        {"1", "Taki Taki (with Selena Gomez, Ozuna)"},
                        {"2", "say \"hi\""},
                        {"3", "two\nlines\r\nhere"},
                        {"4", "x"}}));
  // Record 4 starts on line 7 because record 3 spans lines 4-6.
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 2, 3, 4, 7}));
}

TEST(CsvReaderTest, Utf8PassesThrough) {
  EXPECT_EQ(ReadAll("Tiësto,♥ EDM LOVE 2020\n"), (Rows{{"Tiësto", "♥ EDM LOVE 2020"}}));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpened) {
  Status error;
  ReadAll("a,b\n1,\"open\nstill open\n", &error);
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(error.message().find("line 2"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("not closed"), std::string::npos) << error.message();
}

TEST(CsvReaderTest, StrayQuotesAreErrors) {
  Status error;
  ReadAll("a,b\n1,ab\"c\n", &error);
  EXPECT_NE(error.message().find("line 2: field 2: quote inside an unquoted field"), std::string::npos)
      << error.message();
  error = Status();
  ReadAll("\"ab\"c,d\n", &error);
  EXPECT_NE(error.message().find("after closing quote"), std::string::npos) << error.message();
}

}  // namespace
}  // namespace segue
