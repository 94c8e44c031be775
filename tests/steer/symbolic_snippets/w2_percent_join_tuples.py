moves = (("B", "stack1", "stack3"), ("A", "stack2", "stack1"))
print("<<<" + "\n".join("Move %s from %s to %s" % m for m in moves) + ">>>")
