# After working through the constraints above, the arrangement is:
answer = ["Alice", "Carol", "Bob", "Dan"]
print(f"<<<{answer}>>>")
