// Keeps $day as the newest day recorded, unless a later one is kept already.
// mode: write
// params: $day
MERGE (m:GraphMeta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.rec_last = CASE WHEN m.rec_last IS NULL OR m.rec_last < $day THEN $day
                      ELSE m.rec_last END
