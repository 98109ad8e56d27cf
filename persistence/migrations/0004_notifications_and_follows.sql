-- Notifications (written by the group commit, in the same transaction as the
-- change that causes them) and the watch list.

-- Per-user notification counter: each user's notifications are numbered
-- 1, 2, 3, ... in commit order, so a cursor over them never skips one.
ALTER TABLE users ADD COLUMN notification_seq BIGINT NOT NULL DEFAULT 0;
-- ENDING_SOON goes out once per auction, also across restarts.
ALTER TABLE auctions ADD COLUMN ending_soon_sent BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE notifications (
  user_id         BIGINT NOT NULL REFERENCES users (id),
  seq             BIGINT NOT NULL CHECK (seq >= 1),
  type            TEXT NOT NULL CHECK (type IN ('OUTBID', 'WON', 'LOST', 'SOLD', 'UNSOLD',
                                                'CANCELLED', 'ENDING_SOON')),
  auction_id      BIGINT NOT NULL REFERENCES auctions (id),
  auction_version BIGINT NOT NULL,
  amount          BIGINT NOT NULL,
  ends_at         TIMESTAMPTZ NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  read_at         TIMESTAMPTZ,
  PRIMARY KEY (user_id, seq)
);
CREATE INDEX notifications_unread ON notifications (user_id, seq) WHERE read_at IS NULL;
-- Everything but OUTBID happens at most once per user and auction.
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, auction_id, type)
  WHERE type <> 'OUTBID';

CREATE TABLE follows (
  user_id    BIGINT NOT NULL REFERENCES users (id),
  auction_id BIGINT NOT NULL REFERENCES auctions (id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, auction_id)
);
CREATE INDEX follows_by_auction ON follows (auction_id);
CREATE INDEX follows_by_user_time ON follows (user_id, created_at DESC, auction_id DESC);

-- The group commit gains notifications: explicit ones (n_*, decided by the
-- actors) and ENDING_SOON for the auctions in es_auction, whose recipients
-- (bidders and followers) only the database knows. Returns the users that
-- got notifications, so the server can wake their streams.
DROP FUNCTION commit_auction_batch;
CREATE FUNCTION commit_auction_batch(
  -- bids
  b_id bigint[], b_auction bigint[], b_bidder bigint[], b_buy_now bool[], b_max bigint[],
  b_accepted bool[], b_reason text[], b_leading bool[], b_price bigint[], b_leader bigint[],
  b_min_next bigint[], b_ends_at bigint[], b_version bigint[], b_placed_at bigint[], b_key text[],
  -- auction_events
  e_auction bigint[], e_version bigint[], e_type text[], e_at bigint[], e_price bigint[],
  e_leader bigint[], e_bid_count bigint[], e_ends_at bigint[], e_outcome text[], e_winner bigint[],
  -- auctions: new state, guarded by the version the actor last committed
  a_id bigint[], a_prev_version bigint[], a_phase text[], a_end_time bigint[], a_leader bigint[],
  a_leader_max bigint[], a_second_max bigint[], a_price bigint[], a_bid_count bigint[],
  a_version bigint[], a_outcome text[], a_winner bigint[], a_final_price bigint[], a_ended_at bigint[],
  -- notifications, and the auctions whose ENDING_SOON is due
  n_user bigint[], n_auction bigint[], n_type text[], n_version bigint[], n_amount bigint[],
  n_ends_at bigint[], es_auction bigint[])
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE
  updated bigint;
BEGIN
  INSERT INTO bids (id, auction_id, bidder_id, buy_now, max_amount, accepted, reject_reason,
                    is_leading, price_after, leader_after, min_next_after, ends_at_after,
                    version_after, placed_at, idempotency_key)
  SELECT t.id, t.auction_id, t.bidder_id, t.buy_now, t.max_amount, t.accepted, t.reason,
         t.is_leading, t.price_after, NULLIF(t.leader_after, 0), t.min_next_after,
         us_to_ts(t.ends_at_after), t.version_after, us_to_ts(t.placed_at), NULLIF(t.key, '')
  FROM unnest(b_id, b_auction, b_bidder, b_buy_now, b_max, b_accepted, b_reason, b_leading,
              b_price, b_leader, b_min_next, b_ends_at, b_version, b_placed_at, b_key)
       AS t(id, auction_id, bidder_id, buy_now, max_amount, accepted, reason, is_leading,
            price_after, leader_after, min_next_after, ends_at_after, version_after, placed_at, key);

  INSERT INTO auction_events (auction_id, version, type, at, price, leader_id, bid_count, ends_at,
                              outcome, winner_id)
  SELECT t.auction_id, t.version, t.type, us_to_ts(t.at), t.price, NULLIF(t.leader, 0),
         t.bid_count, us_to_ts(t.ends_at), t.outcome, NULLIF(t.winner, 0)
  FROM unnest(e_auction, e_version, e_type, e_at, e_price, e_leader, e_bid_count, e_ends_at,
              e_outcome, e_winner)
       AS t(auction_id, version, type, at, price, leader, bid_count, ends_at, outcome, winner);

  UPDATE auctions a
     SET phase = t.phase, end_time = us_to_ts(t.end_time), leader_id = NULLIF(t.leader, 0),
         leader_max = t.leader_max, second_max = t.second_max, current_price = t.price,
         bid_count = t.bid_count, version = t.version, outcome = t.outcome,
         winner_id = NULLIF(t.winner, 0), final_price = t.final_price,
         ended_at = us_to_ts(NULLIF(t.ended_at, 0))
    FROM unnest(a_id, a_prev_version, a_phase, a_end_time, a_leader, a_leader_max, a_second_max,
                a_price, a_bid_count, a_version, a_outcome, a_winner, a_final_price, a_ended_at)
         AS t(id, prev_version, phase, end_time, leader, leader_max, second_max, price, bid_count,
              version, outcome, winner, final_price, ended_at)
   WHERE a.id = t.id AND a.version = t.prev_version;
  GET DIAGNOSTICS updated = ROW_COUNT;
  -- A second writer for one auction must never slip a change in: refuse all.
  IF updated <> cardinality(a_id) THEN
    RAISE EXCEPTION 'auction version conflict: % of % auctions matched', updated, cardinality(a_id)
      USING ERRCODE = 'AU001';
  END IF;

  IF cardinality(es_auction) > 0 THEN
    SELECT n_user || coalesce(array_agg(r.user_id ORDER BY r.auction_id, r.user_id), '{}'),
           n_auction || coalesce(array_agg(r.auction_id ORDER BY r.auction_id, r.user_id), '{}'),
           n_type || coalesce(array_agg('ENDING_SOON'::text), '{}'),
           n_version || coalesce(array_agg(r.version ORDER BY r.auction_id, r.user_id), '{}'),
           n_amount || coalesce(array_agg(r.price ORDER BY r.auction_id, r.user_id), '{}'),
           n_ends_at || coalesce(array_agg(r.ends_at ORDER BY r.auction_id, r.user_id), '{}')
      INTO n_user, n_auction, n_type, n_version, n_amount, n_ends_at
      FROM (SELECT a.id AS auction_id, who.user_id, a.version, a.current_price AS price,
                   ts_to_us(a.end_time) AS ends_at
              FROM auctions a
              CROSS JOIN LATERAL (SELECT b.bidder_id AS user_id FROM bids b
                                   WHERE b.auction_id = a.id AND b.accepted
                                  UNION
                                  SELECT f.user_id FROM follows f WHERE f.auction_id = a.id) who
             WHERE a.id = ANY (es_auction) AND NOT a.ending_soon_sent) r;
    UPDATE auctions SET ending_soon_sent = true WHERE id = ANY (es_auction);
  END IF;

  IF cardinality(n_user) > 0 THEN
    -- Lock the recipients in id order, so that the two writers never
    -- deadlock; each user's numbers then follow commit order. NO KEY UPDATE
    -- (what the UPDATE below takes) does not conflict with the KEY SHARE
    -- locks that the foreign keys of the inserts above hold on users.
    PERFORM 1 FROM users WHERE id = ANY (n_user) ORDER BY id FOR NO KEY UPDATE;
    WITH incoming AS (
      SELECT t.user_id, t.auction_id, t.type, t.version, t.amount, t.ends_at,
             row_number() OVER (PARTITION BY t.user_id ORDER BY t.ord) AS k
        FROM unnest(n_user, n_auction, n_type, n_version, n_amount, n_ends_at) WITH ORDINALITY
             AS t(user_id, auction_id, type, version, amount, ends_at, ord)
    ), counted AS (
      SELECT user_id, count(*) AS n FROM incoming GROUP BY user_id
    ), numbered AS (
      UPDATE users u SET notification_seq = u.notification_seq + c.n
        FROM counted c WHERE u.id = c.user_id
      RETURNING u.id, u.notification_seq - c.n AS base
    )
    INSERT INTO notifications (user_id, seq, type, auction_id, auction_version, amount, ends_at)
    SELECT i.user_id, b.base + i.k, i.type, i.auction_id, i.version, i.amount, us_to_ts(i.ends_at)
      FROM incoming i JOIN numbered b ON b.id = i.user_id;
    RETURN QUERY SELECT DISTINCT u FROM unnest(n_user) AS u;
  END IF;
END;
$$;
