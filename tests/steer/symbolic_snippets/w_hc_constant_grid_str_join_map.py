result = [[4, 6], [8, 9]]
print("<<<" + "\n".join(" ".join(map(str, r)) for r in result) + ">>>")
