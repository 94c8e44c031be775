def answer_for(task):
    if task == "date":
        return "(B)"
    elif task == "navigate":
        return "No"
    return "Unknown"

print(f"<<<{answer_for('date')}>>>")
