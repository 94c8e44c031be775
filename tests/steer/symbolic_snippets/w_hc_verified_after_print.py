queens = [0, 4, 7, 5, 2, 6, 1, 3]
# check: no two queens share a column or a diagonal
ok = len(set(queens)) == 8 and all(abs(queens[i] - queens[j]) != j - i for i in range(8) for j in range(i + 1, 8))
assert ok
print(f"<<<{queens}>>>")
