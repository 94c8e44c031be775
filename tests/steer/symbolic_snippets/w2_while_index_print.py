solution = ["a", "c", "b"]
i = 0
while i < len(solution):
    print(solution[i])
    i += 1
