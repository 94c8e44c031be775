# Define the initial state
initial_state = {
    "stack1": "C E",
    "stack2": "D B",
    "stack3": "F",
    "stack4": "B A D",
    "stack5": "B A D"
}

# Define the goal state
goal_state = {
    "stack1": "B A D",
    "stack2": "C E",
    "stack3": "F",
    "stack4": "B A D",
    "stack5": "B A D"
}

# Define the rules
rules = {
    "stack1": "B A D",
    "stack2": "C E",
    "stack3": "F",
    "stack4": "B A D",
    "stack5": "B A D"
}

# Define the goal state
goal
