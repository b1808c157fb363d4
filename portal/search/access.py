"""What a user may open, as a set of document numbers of a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh import query

from portal.permissions import atelier_ids, cohort_ids, managed_cohort_ids
from portal.search.snapshots import Snapshot


def _shared_access(cohorts, ateliers, managed, now: datetime) -> query.Query:
    """What every user with these memberships may open at this moment."""
    audience: list[query.Query] = [query.Term("visibility", "all")]
    audience += [
        query.And([query.Term("visibility", "cohort"), query.Term("cohort_id", str(c))]) for c in cohorts
    ]
    audience += [
        query.And([query.Term("visibility", "atelier"), query.Term("atelier_id", str(a))]) for a in ateliers
    ]
    window = query.And(
        [
            query.DateRange("visible_from", None, now),
            query.DateRange("visible_until", now, None, startexcl=True),
        ]
    )
    terms: list[query.Query] = [query.And([query.Or(audience), window])]
    # The équipe pédagogique sees every document of the cohorts it manages, whatever its window.
    terms += [query.Term("cohort_id", str(c)) for c in managed]
    if managed:
        # Visibility "staff": anyone who manages a cohort (e.g. a staff-only monograph of the library).
        terms.append(query.Term("visibility", "staff"))
    return query.Or(terms)


def access_docs(snapshot: Snapshot, user) -> frozenset[int] | None:
    """The documents the user may open: None for an admin (everything).

    What a user's groups may open is computed once per index generation and visibility period and shared by
    everyone with the same memberships; what is theirs alone (owned, or addressed to them) is added."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    managed = managed_cohort_ids(user)
    if managed is None:
        return None
    cohorts, ateliers = tuple(sorted(cohort_ids(user))), tuple(sorted(atelier_ids(user)))
    now = datetime.now(UTC).replace(tzinfo=None)
    managed = tuple(sorted(managed))
    shared = snapshot.docs(
        ("access", cohorts, ateliers, managed, snapshot.window_period(now)),
        lambda: snapshot.searcher.docs_for_query(_shared_access(cohorts, ateliers, managed, now)),
    )
    own = snapshot.query_docs(
        query.Or([query.Term("owner_id", str(user.id)), query.Term("readers", str(user.id))])
    )
    return shared | own if own else shared
