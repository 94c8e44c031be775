def place(row, cols, results):
    if row == 8:
        results.append(list(cols))
        return
    for c in range(8):
        if all(c != pc and abs(c - pc) != row - pr for pr, pc in enumerate(cols)):
            cols.append(c)
            place(row + 1, cols, results)
            cols.pop()

results = []
place(0, [], results)
first = results[0]
print("<<<" + ", ".join(f"{r} {c}" for r, c in enumerate(first)) + ">>>")
