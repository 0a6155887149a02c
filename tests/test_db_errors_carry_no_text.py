"""A database error never quotes what people wrote: its message (logged, or shown in a traceback) has no
statement parameters, so a return's text or a reason cannot reach a log line through a failed write."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError


async def test_a_failed_write_does_not_quote_its_values(db):
    secret = "Jayden Smith DOB 03/02/2019"
    with pytest.raises(IntegrityError) as failed:
        async with db.transaction() as s:
            # review_case.code is NOT NULL: the insert fails with the secret among its parameters.
            await s.execute(text("INSERT INTO review_case (code, pseudonym) VALUES (NULL, :p)"), {"p": secret})
    assert "Jayden" not in str(failed.value) and "03/02/2019" not in str(failed.value)
    assert "hidden due to hide_parameters" in str(failed.value)
