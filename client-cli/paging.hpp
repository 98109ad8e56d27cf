#pragma once
/// Cursor pagination: one page, or every page with --all.
#include <string>

#include "commands.hpp"
#include "errors.hpp"

namespace auction::cli {

/// With --all and no --page-size, pages are this large.
inline constexpr int kAllPageSize = 100;

inline int effective_page_size(const Paging& paging) {
  return paging.all && paging.page_size == 0 ? kAllPageSize : paging.page_size;
}

/// `fetch(token)` returns one page (a response with a repeated field and
/// next_page_token). With --all, later pages are appended to the first and
/// the result has no next_page_token.
template <class Response, class Fetch>
Response fetch_pages(const Paging& paging, Fetch&& fetch) {
  Response all = fetch(paging.page_token);
  if (!paging.all) return all;
  std::string token = all.next_page_token();
  all.clear_next_page_token();
  while (!token.empty()) {
    Response page = fetch(token);
    if (page.next_page_token() == token) throw CliError("the server repeated a page token");
    token = page.next_page_token();
    page.clear_next_page_token();
    all.MergeFrom(page);
  }
  return all;
}

}  // namespace auction::cli
