-- Goods (products) a location sells, and the goods lines of visits. A
-- location has one storage, whose id is the location's id; goods.amount is
-- the stock in it. A visit's goods lines name the appointment they were
-- sold through; prices are minor units, amount is the number of units sold.
CREATE TABLE goods (
    id              INTEGER PRIMARY KEY,
    location_id     INTEGER NOT NULL REFERENCES locations (id),
    title           TEXT    NOT NULL,
    print_title     TEXT    NOT NULL DEFAULT '',
    article         TEXT    NOT NULL DEFAULT '',
    barcode         TEXT    NOT NULL DEFAULT '',
    category_id     INTEGER NOT NULL DEFAULT 0,
    category        TEXT    NOT NULL DEFAULT '',
    cost            INTEGER NOT NULL DEFAULT 0,
    actual_cost     INTEGER NOT NULL DEFAULT 0,
    unit_title      TEXT    NOT NULL DEFAULT '',
    critical_amount INTEGER NOT NULL DEFAULT 0,
    desired_amount  INTEGER NOT NULL DEFAULT 0,
    amount          INTEGER NOT NULL DEFAULT 0,
    comment         TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX goods_location ON goods (location_id, id);

CREATE TABLE visit_goods (
    id                  INTEGER PRIMARY KEY,
    location_id         INTEGER NOT NULL REFERENCES locations (id),
    visit_id            INTEGER NOT NULL REFERENCES visits (id),
    appointment_id      INTEGER NOT NULL REFERENCES appointments (id),
    good_id             INTEGER NOT NULL REFERENCES goods (id),
    title               TEXT    NOT NULL,
    article             TEXT    NOT NULL DEFAULT '',
    barcode             TEXT    NOT NULL DEFAULT '',
    amount              INTEGER NOT NULL,
    cost_per_unit       INTEGER NOT NULL,
    price               INTEGER NOT NULL,
    discount            INTEGER NOT NULL DEFAULT 0,
    cost                INTEGER NOT NULL,
    operation_unit_type INTEGER NOT NULL DEFAULT 1,
    master_id           INTEGER NOT NULL,
    storage_id          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX visit_goods_visit ON visit_goods (visit_id, id);
CREATE INDEX visit_goods_appointment ON visit_goods (appointment_id);
