"""Material for the demo cases: name parts for parties, and the wording of violations,
inspections, coercive measures, licences and the generic procedure, keyed by the enforcement
item templates of ``data.items``. ``loader.cases`` turns it into cases through the services.

Everything here is fictional: party names, trade names and roads are put together from the
syllables below by seeded generators, so any likeness to a real business is chance. Amounts
stay inside the statutory range of the provision the item cites.
"""
