def format_answer(value):
    return f"<<<{value}>>>"

print(format_answer("ABBA"))
