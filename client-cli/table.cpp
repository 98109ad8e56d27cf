#include "table.hpp"

#include <algorithm>
#include <utility>

namespace auction::cli {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation(c); }));
}

std::string fit(std::string_view s, std::size_t width) {
  std::string clean;
  clean.reserve(s.size());
  for (char c : s) clean += static_cast<unsigned char>(c) < 0x20U || c == 0x7F ? ' ' : c;
  if (width == 0 || display_width(clean) <= width) return clean;
  // Keep width - 1 code points, then the ellipsis.
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < clean.size(); ++i) {
    if (!is_continuation(clean[i])) {
      if (kept == width - 1) break;
      ++kept;
    }
  }
  return clean.substr(0, i) + "…";
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = fit(cells[i], columns_[i].max_width);
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& c : columns_) widths.push_back(display_width(c.header));
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::size_t gap = widths[i] - display_width(cells[i]);
      bool last = i + 1 == cells.size();
      if (i > 0) line += "  ";
      if (columns_[i].align == Align::kRight) line.append(gap, ' ');
      line += cells[i];
      if (columns_[i].align == Align::kLeft && !last) line.append(gap, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  std::vector<std::string> header;
  for (const auto& c : columns_) header.push_back(c.header);
  print_row(header);
  for (const auto& row : rows_) print_row(row);
}

}  // namespace auction::cli

namespace auction::cli {

Fields& Fields::add(std::string label, std::string value) {
  if (!value.empty()) rows_.emplace_back(std::move(label), std::move(value));
  return *this;
}

void Fields::print(std::ostream& out, std::string_view indent) const {
  std::size_t width = 0;
  for (const auto& [label, value] : rows_) width = std::max(width, display_width(label));
  for (const auto& [label, value] : rows_) {
    out << indent << label << std::string(width - display_width(label) + 2, ' ') << value << '\n';
  }
}

}  // namespace auction::cli
