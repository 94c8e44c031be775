rotated = [["G", "D", "A"], ["H", "E", "B"], ["I", "F", "C"]]
lines = []
for row in rotated:
    lines.append(",".join(row))
print("<<<" + "\n".join(lines) + ">>>")
