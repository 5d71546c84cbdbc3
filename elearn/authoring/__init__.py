"""The course author's tools: preview a course folder without importing it, the scenario as a
map (Graphviz), and the path explorer. Nothing here writes to the database: it reads course
folders from disk through the content room's validator and plays them with the core's engine."""
