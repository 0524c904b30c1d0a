"""The schema of the embedded property graph: node labels with their typed properties,
relationship types with the labels they connect (what `dta-kg cypher --schema` prints)."""

from __future__ import annotations

from dta_kg.query.session import Result, Session

COLUMNS = ["kind", "name", "properties", "connects"]


def cypher_schema(session: Session) -> Result:
    """One row per node label and per relationship type, nodes first, each sorted by name."""
    tables = session.cypher("CALL show_tables() RETURN name, type").rows
    rows = []
    for kind in ("NODE", "REL"):
        for name in sorted(t["name"] for t in tables if t["type"] == kind):
            info = session.cypher(f"CALL table_info('{name}') RETURN name, type").rows
            props = ", ".join(f"{p['name']}: {p['type']}" for p in info)
            connects = ""
            if kind == "REL":
                pairs = session.cypher(f"CALL show_connection('{name}') RETURN *").rows
                connects = "; ".join(sorted(f"({p['source table name']})->({p['destination table name']})"
                                            for p in pairs))
            rows.append({"kind": "node" if kind == "NODE" else "relationship", "name": name,
                         "properties": props, "connects": connects})
    return Result(COLUMNS, rows)
