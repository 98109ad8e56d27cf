-- A bidder's attempts are listed newest first by time: bid ids come from
-- per-writer blocks, so id order is not time order.
DROP INDEX bids_by_bidder;
CREATE INDEX bids_by_bidder ON bids (bidder_id, placed_at DESC, id DESC);
