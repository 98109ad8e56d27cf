#include "table.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace auction::cli {
namespace {

TEST(Table, AlignsColumns) {
  Table t({{"ID", Align::kRight}, {"TITLE", Align::kLeft}, {"PRICE", Align::kRight}});
  t.add_row({"1", "Camera", "12.50 USD"});
  t.add_row({"100", "Crème brûlée torch", "7.00 USD"});
  std::ostringstream out;
  t.print(out);
  EXPECT_EQ(out.str(),
            " ID  TITLE                   PRICE\n"
            "  1  Camera              12.50 USD\n"
            "100  Crème brûlée torch   7.00 USD\n");
}

TEST(Table, TruncatesOnCodePoints) {
  EXPECT_EQ(fit("abcdef", 4), "abc…");
  EXPECT_EQ(fit("éééééé", 3), "éé…");
  EXPECT_EQ(fit("short", 10), "short");
  EXPECT_EQ(fit("a\tb\nc", 0), "a b c");
}

TEST(Table, DisplayWidth) {
  EXPECT_EQ(display_width("abc"), 3U);
  EXPECT_EQ(display_width("brûlée"), 6U);
  EXPECT_EQ(display_width("µs"), 2U);
}

TEST(Fields, AlignsValuesAndSkipsEmpty) {
  Fields f;
  f.add("status", "active").add("category", "").add("current price", "1.00 USD");
  std::ostringstream out;
  f.print(out);
  EXPECT_EQ(out.str(),
            "status         active\n"
            "current price  1.00 USD\n");
}

}  // namespace
}  // namespace auction::cli
