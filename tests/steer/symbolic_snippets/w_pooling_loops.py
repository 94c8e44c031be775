matrix = [
    [1, 3, 2, 4],
    [5, 6, 1, 2],
    [7, 2, 9, 0],
    [3, 4, 1, 8],
]
k = 2
out = []
for i in range(0, len(matrix) - k + 1):
    row = []
    for j in range(0, len(matrix[0]) - k + 1):
        row.append(max(matrix[i + a][j + b] for a in range(k) for b in range(k)))
    out.append(row)
print("<<<" + str(out) + ">>>")
