#pragma once
/// Every SQL statement we run, by name. Prepared on each connection.
#include <array>
#include <string_view>
#include <utility>

namespace auction::persistence::sql {

// Column lists shared by the readers below (see row_mapping.cpp for the
// positions).
#define AUCTION_COLUMNS                                                                        \
  "a.id, a.seller_id, a.title, a.description, array_to_json(a.media_urls)::text, a.category, " \
  "a.currency, a.starting_price, a.reserve_price, a.buy_now_price, a.min_increment, "          \
  "ts_to_us(a.start_time), ts_to_us(a.original_end_time), a.soft_close_window_us, "            \
  "a.soft_close_extension_us, ts_to_us(a.created_at), a.phase, ts_to_us(a.end_time), "         \
  "a.leader_id, a.leader_max, a.second_max, a.current_price, a.bid_count, a.version, "         \
  "a.outcome, a.winner_id, a.final_price, ts_to_us(a.ended_at), s.display_name, "              \
  "l.display_name, a.ending_soon_sent, a.soft_close_max_extension_us "
#define AUCTION_FROM                                     \
  " FROM auctions a JOIN users s ON s.id = a.seller_id " \
  "LEFT JOIN users l ON l.id = a.leader_id "
#define BID_COLUMNS                                                                            \
  "b.id, b.auction_id, b.bidder_id, b.buy_now, b.max_amount, b.accepted, b.reject_reason, "    \
  "b.is_leading, b.price_after, b.leader_after, b.min_next_after, ts_to_us(b.ends_at_after), " \
  "b.version_after, ts_to_us(b.placed_at), coalesce(b.idempotency_key, ''), "                  \
  "u.display_name, a.currency, coalesce(lb.display_name, '') "
#define BID_FROM                                                                            \
  " FROM bids b JOIN users u ON u.id = b.bidder_id JOIN auctions a ON a.id = b.auction_id " \
  "LEFT JOIN users lb ON lb.id = b.leader_after "

#define NOTIFICATION_COLUMNS                                                        \
  "n.seq, n.type, n.auction_id, a.title, n.amount, a.currency, n.auction_version, " \
  "ts_to_us(n.created_at), n.read_at IS NOT NULL, ts_to_us(n.ends_at) "
#define NOTIFICATION_FROM " FROM notifications n JOIN auctions a ON a.id = n.auction_id "

// $1 status ('' = any), $2 seller (0 = any), $3 filter by category?, $4
// category, $5 ILIKE pattern ('' = any), $6 has page token?, $7/$8 token
// keys, $9 now (µs), $10 limit.
#define AUCTION_LIST_WHERE                                                            \
  " WHERE ($1::text = '' OR CASE $1::text "                                           \
  "  WHEN 'SCHEDULED' THEN a.phase = 'OPEN' AND a.start_time > us_to_ts($9::bigint) " \
  "  WHEN 'ACTIVE' THEN a.phase = 'OPEN' AND a.start_time <= us_to_ts($9::bigint) "   \
  "  WHEN 'ENDED' THEN a.phase = 'ENDED' "                                            \
  "  ELSE a.phase = 'CANCELLED' END) "                                                \
  "AND ($2::bigint = 0 OR a.seller_id = $2::bigint) "                                 \
  "AND (NOT $3::bool OR a.category = $4::text) "                                      \
  "AND ($5::text = '' OR a.title ILIKE $5::text) "                                    \
  "AND ($11::text = '' OR s.username = $11::text) "

inline constexpr std::array<std::pair<const char*, const char*>, 34> kPrepared = {{
    {"insert_user",
     "INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, $4) "
     "RETURNING id, ts_to_us(created_at)"},
    {"upsert_admin",
     "INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, 'ADMIN') "
     "ON CONFLICT (username) DO UPDATE SET role = 'ADMIN', password_hash = EXCLUDED.password_hash "
     "RETURNING id"},
    {"user_by_name",
     "SELECT id, username, display_name, password_hash, role, suspended, ts_to_us(created_at) "
     "FROM users WHERE username = $1"},
    {"user_by_id",
     "SELECT id, username, display_name, password_hash, role, suspended, ts_to_us(created_at) "
     "FROM users WHERE id = $1"},
    {"suspended_users", "SELECT id FROM users WHERE suspended"},
    {"insert_auction",
     "INSERT INTO auctions (seller_id, title, description, media_urls, category, currency, "
     "starting_price, reserve_price, buy_now_price, min_increment, start_time, original_end_time, "
     "soft_close_window_us, soft_close_extension_us, created_at, end_time, current_price, "
     "soft_close_max_extension_us) "
     "SELECT $1, $2, $3, ARRAY(SELECT json_array_elements_text($4::json)), $5, $6, $7, $8, $9, "
     "$10, us_to_ts($11), us_to_ts($12), $13, $14, us_to_ts($15), us_to_ts($12), $7, $16 "
     "RETURNING id"},
    {"insert_created_event",
     "INSERT INTO auction_events (auction_id, version, type, at, price, leader_id, bid_count, "
     "ends_at, outcome, winner_id) VALUES ($1, 1, 'CREATED', us_to_ts($2), $3, NULL, 0, "
     "us_to_ts($4), 'NONE', NULL)"},
    {"auction_by_id", "SELECT " AUCTION_COLUMNS AUCTION_FROM "WHERE a.id = $1"},
    {"open_auctions",
     "SELECT " AUCTION_COLUMNS AUCTION_FROM "WHERE a.phase = 'OPEN' ORDER BY a.id"},
    {"latest_bid_per_bidder",
     "SELECT DISTINCT ON (b.bidder_id) " BID_COLUMNS BID_FROM
     "WHERE b.auction_id = $1 AND b.accepted ORDER BY b.bidder_id, b.version_after DESC"},
    {"latest_bid_per_bidder_open",
     "SELECT DISTINCT ON (b.auction_id, b.bidder_id) " BID_COLUMNS BID_FROM
     "WHERE a.phase = 'OPEN' AND b.accepted "
     "ORDER BY b.auction_id, b.bidder_id, b.version_after DESC"},
    {"keyed_bids_open",
     "SELECT " BID_COLUMNS BID_FROM "WHERE a.phase = 'OPEN' AND b.idempotency_key IS NOT NULL"},
    {"keyed_bids_of_auction",
     "SELECT " BID_COLUMNS BID_FROM "WHERE b.auction_id = $1 AND b.idempotency_key IS NOT NULL"},
    {"keyed_bid",
     "SELECT " BID_COLUMNS BID_FROM "WHERE b.bidder_id = $1 AND b.idempotency_key = $2"},
    {"auction_bids_page",
     "SELECT " BID_COLUMNS BID_FROM
     "WHERE b.auction_id = $1 AND b.accepted AND (NOT $2::bool OR b.version_after < $3::bigint) "
     "ORDER BY b.version_after DESC LIMIT $4"},
    {"user_bids_page",
     "SELECT " BID_COLUMNS BID_FROM "WHERE b.bidder_id = $1 "
     "AND (NOT $2::bool OR (b.placed_at, b.id) < (us_to_ts($3::bigint), $4::bigint)) "
     "ORDER BY b.placed_at DESC, b.id DESC LIMIT $5"},
    {"list_newest",
     "SELECT " AUCTION_COLUMNS AUCTION_FROM AUCTION_LIST_WHERE
     "AND (NOT $6::bool OR (a.created_at, a.id) < (us_to_ts($7::bigint), $8::bigint)) "
     "ORDER BY a.created_at DESC, a.id DESC LIMIT $10"},
    {"list_ending_soon",
     "SELECT " AUCTION_COLUMNS AUCTION_FROM AUCTION_LIST_WHERE
     "AND (NOT $6::bool OR (a.end_time, a.id) > (us_to_ts($7::bigint), $8::bigint)) "
     "ORDER BY a.end_time, a.id LIMIT $10"},
    {"list_most_bids", "SELECT " AUCTION_COLUMNS AUCTION_FROM AUCTION_LIST_WHERE
                       "AND (NOT $6::bool OR (a.bid_count, a.id) < ($7::bigint, $8::bigint)) "
                       "ORDER BY a.bid_count DESC, a.id DESC LIMIT $10"},
    {"next_bid_id_block", "SELECT nextval('bid_id_blocks')"},
    // Statements of other auctiond instances still running (start-up fence).
    {"other_instances_running",
     "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'auctiond/%' "
     "AND application_name <> $1 AND state NOT IN ('idle')"},
    // Did a group commit cut off by a broken connection commit after all?
    {"bid_exists", "SELECT count(*) FROM bids WHERE id = $1"},
    {"auction_progress", "SELECT version, ending_soon_sent FROM auctions WHERE id = $1"},
    // Group commit: one atomic autocommit statement (migrations 0002, 0004);
    // returns the users who got notifications.
    {"commit_batch",
     "SELECT * FROM commit_auction_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
     "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, "
     "$32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46)"},
    {"insert_single_bid",
     "INSERT INTO bids (id, auction_id, bidder_id, buy_now, max_amount, accepted, reject_reason, "
     "is_leading, price_after, leader_after, min_next_after, ends_at_after, version_after, "
     "placed_at, "
     "idempotency_key) VALUES ($1, $2, $3, false, $4, false, $5, $6, $7, NULLIF($8, 0), $9, "
     "us_to_ts($10), $11, us_to_ts($12), NULLIF($13, '')) "
     "ON CONFLICT (bidder_id, idempotency_key) DO NOTHING"},
    // Watchers: the events after a version, with names (leader, winner).
    {"events_range",
     "SELECT e.version, e.type, ts_to_us(e.at), e.price, e.leader_id, e.bid_count, "
     "ts_to_us(e.ends_at), e.outcome, e.winner_id, coalesce(l.display_name, ''), "
     "coalesce(w.display_name, '') FROM auction_events e "
     "LEFT JOIN users l ON l.id = e.leader_id LEFT JOIN users w ON w.id = e.winner_id "
     "WHERE e.auction_id = $1 AND e.version > $2 AND e.version <= $3 ORDER BY e.version"},
    // Notifications: $2 unread only, $3 has cursor, $4 cursor seq, $5 limit.
    {"notifications_page", "SELECT " NOTIFICATION_COLUMNS NOTIFICATION_FROM
                           "WHERE n.user_id = $1 AND (NOT $2::bool OR n.read_at IS NULL) "
                           "AND (NOT $3::bool OR n.seq < $4::bigint) ORDER BY n.seq DESC LIMIT $5"},
    {"notifications_after", "SELECT " NOTIFICATION_COLUMNS NOTIFICATION_FROM
                            "WHERE n.user_id = $1 AND n.seq > $2 ORDER BY n.seq LIMIT $3"},
    {"unread_count", "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"},
    {"latest_notification_seq", "SELECT notification_seq FROM users WHERE id = $1"},
    {"mark_read",
     "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL "
     "AND (seq = ANY ($2::bigint[]) OR seq <= $3::bigint)"},
    // Watch list.
    {"follow", "INSERT INTO follows (user_id, auction_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
    {"unfollow", "DELETE FROM follows WHERE user_id = $1 AND auction_id = $2"},
    {"followed_page",
     "SELECT " AUCTION_COLUMNS ", ts_to_us(f.created_at) FROM follows f "
     "JOIN auctions a ON a.id = f.auction_id JOIN users s ON s.id = a.seller_id "
     "LEFT JOIN users l ON l.id = a.leader_id WHERE f.user_id = $1 "
     "AND (NOT $2::bool OR (f.created_at, f.auction_id) < (us_to_ts($3::bigint), $4::bigint)) "
     "ORDER BY f.created_at DESC, f.auction_id DESC LIMIT $5"},
}};

#undef NOTIFICATION_FROM
#undef NOTIFICATION_COLUMNS
#undef AUCTION_LIST_WHERE
#undef BID_FROM
#undef BID_COLUMNS
#undef AUCTION_FROM
#undef AUCTION_COLUMNS

}  // namespace auction::persistence::sql
