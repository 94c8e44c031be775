moves = [
    "Move A from stack1 to stack3",
    "Move B from stack2 to stack1",
    "Move A from stack3 to stack2",
]
print("<<<", end="")
for i, move in enumerate(moves):
    print(move, end="\n" if i < len(moves) - 1 else "")
print(">>>")
