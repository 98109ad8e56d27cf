-- Soft close may move the end at most this far beyond original_end_time
-- (issue 10, item 6); 0 = no cap, which is what every existing auction had.
ALTER TABLE auctions
  ADD COLUMN soft_close_max_extension_us BIGINT NOT NULL DEFAULT 0
    CHECK (soft_close_max_extension_us >= 0);
