// The seeded generators are their own module; every `import Stats` keeps seeing them.
@_exported import Random
