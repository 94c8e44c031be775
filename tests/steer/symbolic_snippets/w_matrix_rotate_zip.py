matrix = [['A', 'B', 'C'], ['D', 'E', 'F'], ['G', 'H', 'I']]
rotated = [list(row) for row in zip(*matrix[::-1])]
print("<<<" + ",".join("".join(r) for r in rotated) + ">>>")
