answer = """Move A from stack1 to stack2
Move C from stack3 to stack1"""
print("<<<")
for line in answer.split("\n"):
    print(line)
print(">>>")
