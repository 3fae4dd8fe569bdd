-- The chain starts from a genesis hash of 64 zeros at position 0.
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, repeat('0', 64));
