answer = """Move D from stack3 to stack1
Move C from stack2 to stack3"""
print("<<<" + answer + ">>>")
