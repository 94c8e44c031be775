order = [3, 1, 2]
print("<<<" + ", ".join([str(x) for x in order]) + ">>>")
