-- Done moves are the ledger: immutable. Cancelled moves are closed too. Corrections are new moves.
CREATE OR REPLACE FUNCTION stock_moves_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.state IN ('done', 'cancelled') THEN
    RAISE EXCEPTION 'stock move % is % and cannot change; post a correcting move instead', OLD.id, OLD.state
      USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER stock_moves_guard BEFORE UPDATE OR DELETE ON stock_moves FOR EACH ROW EXECUTE FUNCTION stock_moves_guard();
