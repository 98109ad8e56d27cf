-- The peer (SPEC section 8): one bid as a plain PostgreSQL transaction that
-- locks the auction row, inserts the bid and updates the auction.
\set aid random(1, :auctions)
\set amount random(100, 100000000)
BEGIN;
SELECT current_price, version FROM peer_auctions WHERE id = :aid FOR UPDATE;
INSERT INTO peer_bids (auction_id, bidder_id, max_amount, placed_at)
  VALUES (:aid, :client_id, :amount, now());
UPDATE peer_auctions SET current_price = current_price + 1, version = version + 1,
  bid_count = bid_count + 1 WHERE id = :aid;
END;
