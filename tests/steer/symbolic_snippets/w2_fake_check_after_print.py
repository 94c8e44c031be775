path = [(0, 0), (0, 1), (1, 1), (2, 1)]
print(f"<<<{path}>>>")
for (a, b), (c, d) in zip(path, path[1:]):
    assert abs(a - c) + abs(b - d) == 1
