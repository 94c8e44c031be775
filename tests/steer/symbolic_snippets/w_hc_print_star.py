answer = ["1", "3", "0", "2"]
print("<<<", end="")
print(*answer, sep=", ", end="")
print(">>>")
