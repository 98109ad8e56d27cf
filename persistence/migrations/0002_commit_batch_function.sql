-- A group commit in one round trip: the writers call this function as a
-- single autocommit statement, which is atomic. Each argument is one column
-- of an unnest; see persistence/commit_queue.cpp for the order.
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
  a_version bigint[], a_outcome text[], a_winner bigint[], a_final_price bigint[], a_ended_at bigint[])
RETURNS void LANGUAGE plpgsql AS $$
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
END;
$$;
