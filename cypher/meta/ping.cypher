// Returns 1 when the database answers.
// mode: read
// params: none
RETURN 1 AS ok
