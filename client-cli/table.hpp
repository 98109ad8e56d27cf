#pragma once
/// A plain-text table with aligned columns (UTF-8 aware, no colours).
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auction::cli {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
  std::size_t max_width = 0;  ///< 0 = unlimited; longer cells end in "…"
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  /// A row with exactly one cell per column (missing cells are blank).
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::size_t size() const { return rows_.size(); }

  /// Header, then rows; two spaces between columns; no trailing blanks.
  void print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

/// Display width in code points (every code point counts as one column).
std::size_t display_width(std::string_view s);

/// At most `width` columns: cut on a code-point boundary, ending in "…".
/// Control characters become spaces.
std::string fit(std::string_view s, std::size_t width);

}  // namespace auction::cli

namespace auction::cli {

/// "label  value" lines with the values aligned; empty values are skipped.
class Fields {
 public:
  Fields& add(std::string label, std::string value);
  void print(std::ostream& out, std::string_view indent = "") const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

}  // namespace auction::cli
