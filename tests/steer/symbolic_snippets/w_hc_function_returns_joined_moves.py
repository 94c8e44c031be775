def plan_moves():
    moves = [
        "Move C from stack2 to stack3",
        "Move B from stack1 to stack2",
        "Move A from stack1 to stack3",
    ]
    return "\n".join(moves)

if __name__ == "__main__":
    print(f"<<<{plan_moves()}>>>")
