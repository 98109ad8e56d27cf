-- Users, auctions (terms + the live state each auction actor writes through),
-- every bid attempt, and one event row per auction version.

CREATE FUNCTION us_to_ts(bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT timestamptz 'epoch' + $1 * interval '1 microsecond' $$;

CREATE FUNCTION ts_to_us(timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT (extract(epoch FROM $1) * 1000000)::bigint $$;

CREATE TABLE users (
  id            BIGSERIAL PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_]{3,32}$'),
  display_name  TEXT NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'ADMIN')),
  suspended     BOOLEAN NOT NULL DEFAULT false,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE auctions (
  id                      BIGSERIAL PRIMARY KEY,
  seller_id               BIGINT NOT NULL REFERENCES users (id),
  title                   TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description             TEXT NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
  media_urls              TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(media_urls) <= 20),
  category                TEXT NOT NULL DEFAULT '' CHECK (char_length(category) <= 64),
  currency                TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  starting_price          BIGINT NOT NULL CHECK (starting_price > 0 AND starting_price <= 10000000000000),
  reserve_price           BIGINT NOT NULL DEFAULT 0
                          CHECK (reserve_price = 0 OR reserve_price >= starting_price),
  buy_now_price           BIGINT NOT NULL DEFAULT 0
                          CHECK (buy_now_price = 0 OR buy_now_price > starting_price),
  min_increment           BIGINT NOT NULL DEFAULT 0 CHECK (min_increment >= 0),
  start_time              TIMESTAMPTZ NOT NULL,
  original_end_time       TIMESTAMPTZ NOT NULL CHECK (original_end_time > start_time),
  soft_close_window_us    BIGINT NOT NULL DEFAULT 0 CHECK (soft_close_window_us >= 0),
  soft_close_extension_us BIGINT NOT NULL DEFAULT 0 CHECK (soft_close_extension_us >= 0),
  created_at              TIMESTAMPTZ NOT NULL,
  -- Live state: written only by the auction's actor, in the same transaction
  -- as the bids and events that produced it.
  phase                   TEXT NOT NULL DEFAULT 'OPEN' CHECK (phase IN ('OPEN', 'ENDED', 'CANCELLED')),
  end_time                TIMESTAMPTZ NOT NULL,
  leader_id               BIGINT REFERENCES users (id),
  leader_max              BIGINT NOT NULL DEFAULT 0,
  second_max              BIGINT NOT NULL DEFAULT 0,
  current_price           BIGINT NOT NULL CHECK (current_price > 0),
  bid_count               BIGINT NOT NULL DEFAULT 0 CHECK (bid_count >= 0),
  version                 BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
  outcome                 TEXT NOT NULL DEFAULT 'NONE' CHECK (outcome IN ('NONE', 'SOLD', 'UNSOLD')),
  winner_id               BIGINT REFERENCES users (id),
  final_price             BIGINT NOT NULL DEFAULT 0,
  ended_at                TIMESTAMPTZ,
  CHECK (end_time >= original_end_time),
  CHECK ((phase = 'OPEN') = (ended_at IS NULL)),
  CHECK (outcome <> 'SOLD' OR winner_id IS NOT NULL)
);
CREATE INDEX auctions_open_by_end ON auctions (end_time, id) WHERE phase = 'OPEN';
CREATE INDEX auctions_by_created ON auctions (created_at DESC, id DESC);
CREATE INDEX auctions_by_seller ON auctions (seller_id, created_at DESC, id DESC);

-- Bid ids are allocated by the commit writers in blocks of 1000.
CREATE SEQUENCE bid_id_blocks;

CREATE TABLE bids (
  id              BIGINT PRIMARY KEY,
  auction_id      BIGINT NOT NULL REFERENCES auctions (id),
  bidder_id       BIGINT NOT NULL REFERENCES users (id),
  buy_now         BOOLEAN NOT NULL DEFAULT false,
  max_amount      BIGINT NOT NULL CHECK (max_amount > 0 AND max_amount <= 10000000000000),
  accepted        BOOLEAN NOT NULL,
  reject_reason   TEXT NOT NULL CHECK (reject_reason IN ('NONE', 'BID_TOO_LOW', 'AUCTION_NOT_STARTED',
                    'AUCTION_ENDED', 'AUCTION_CANCELLED', 'SELF_BID', 'BIDDER_SUSPENDED')),
  is_leading      BOOLEAN NOT NULL,
  -- The auction as this attempt left it: the reply, replayable after a restart.
  price_after     BIGINT NOT NULL,
  leader_after    BIGINT,
  min_next_after  BIGINT NOT NULL,
  ends_at_after   TIMESTAMPTZ NOT NULL,
  version_after   BIGINT NOT NULL,
  placed_at       TIMESTAMPTZ NOT NULL,
  idempotency_key TEXT CHECK (char_length(idempotency_key) BETWEEN 1 AND 128),
  CHECK (accepted = (reject_reason = 'NONE')),
  UNIQUE (bidder_id, idempotency_key)
);
-- One accepted bid per resulting version; also the public history, newest first.
CREATE UNIQUE INDEX bids_accepted_by_version ON bids (auction_id, version_after DESC) WHERE accepted;
CREATE INDEX bids_by_bidder ON bids (bidder_id, id DESC);

CREATE TABLE auction_events (
  auction_id BIGINT NOT NULL REFERENCES auctions (id),
  version    BIGINT NOT NULL CHECK (version >= 1),
  type       TEXT NOT NULL CHECK (type IN ('CREATED', 'BID_PLACED', 'TIME_EXTENDED', 'ENDED', 'CANCELLED')),
  at         TIMESTAMPTZ NOT NULL,
  price      BIGINT NOT NULL,
  leader_id  BIGINT,
  bid_count  BIGINT NOT NULL,
  ends_at    TIMESTAMPTZ NOT NULL,
  outcome    TEXT NOT NULL,
  winner_id  BIGINT,
  PRIMARY KEY (auction_id, version)
);
