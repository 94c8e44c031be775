grid = [[2, 2, 0, 4], [0, 4, 4, 0], [2, 0, 2, 2], [0, 0, 0, 2]]

def slide_left(row):
    tiles = [v for v in row if v]
    merged = []
    skip = False
    for i, v in enumerate(tiles):
        if skip:
            skip = False
            continue
        if i + 1 < len(tiles) and tiles[i + 1] == v:
            merged.append(2 * v)
            skip = True
        else:
            merged.append(v)
    return merged + [0] * (len(row) - len(merged))

result = [slide_left(r) for r in grid]
print(f"<<<{result}>>>")
