grid = [[1, 2], [3, 4]]
for row in grid:
    print(sum(row))
print("<<<[[3, 1], [4, 2]]>>>")
